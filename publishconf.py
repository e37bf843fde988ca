"""Pelican settings for the deployed site: the development settings plus the public URL."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pelicanconf import *  # noqa: F403
from pelicanconf import SITE_FOOTER

# A production site must carry every footer field of a government site.
_EMPTY = [k for k, v in SITE_FOOTER.items() if not str(v).strip()]
if _EMPTY:
    raise SystemExit(f"pelicanconf.py 的 SITE_FOOTER 中以下各项为空：{'、'.join(_EMPTY)}；请填写后再发布")

SITEURL = os.environ.get("SUIJI_SITEURL", "")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
