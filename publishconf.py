"""Pelican settings for the deployed site: the development settings plus the public URL."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SUIJI_SITEURL", "")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
