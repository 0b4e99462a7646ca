"""python -m storage publish --workspace DIR --to URL [--schema S]"""

import sys

from storage.publish import main

sys.exit(main())
