"""``python -m nncore.course NAME [--tier T] [--data FOLDER] [--plot FILE.png] [--json]``."""

import sys

from nncore.course.command import main

if __name__ == "__main__":
    sys.exit(main())
