"""Root conftest: the README's doctest needs the course's cat data for its last example.

pytest runs README.md as one doctest (``--doctest-glob=README.md``); when the
cat data is not in ``$NNCORE_DATA``, that doctest is skipped as a whole, as the
tests marked ``data`` are.
"""

import pytest

from nncore.datasets import CAT_FILES, DATA_ENV, data_folder


def _cat_data_missing():
    """Why the cat data cannot be read, or None when it can."""
    try:
        folder = data_folder()
    except (FileNotFoundError, ValueError) as err:
        return str(err)
    missing = [name for name, *_ in CAT_FILES.values() if not (folder / name).is_file()]
    return f"{', '.join(missing)} not in {folder} (${DATA_ENV})" if missing else None


def pytest_collection_modifyitems(config, items):
    reason = _cat_data_missing()
    if reason is None:
        return
    for item in items:
        if item.path.name == "README.md":
            item.add_marker(pytest.mark.skip(reason=f"the README's cat example needs the cat data: {reason}"))
