"""The browser check is collected only when asked for: ``make browser-check``.

It needs Chromium (Debian: ``apt-get install chromium``) and Playwright's Python
package (``pip install -e ".[browser]"``), which ``make test`` does not install,
so ``pytest tests`` skips this folder unless ``COURSE_BROWSER_CHECK=1`` is set.
"""

import os

if os.environ.get("COURSE_BROWSER_CHECK", "") != "1":
    collect_ignore_glob = ["test_*.py"]
