"""Pelican settings for the public disclosure site (development build).

Decisions (docs/DECISIONS.md): pages only, no blog articles; the clerks' records under
content/records/ are static downloads, never rendered; ASCII slugs; zh-CN.
"""

from pathlib import Path

AUTHOR = "示例县应急管理局"
SITENAME = "示例县应急管理局 “双随机、一公开” 抽查公示"
SITEURL = ""

PATH = "content"
THEME = "theme"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-CN"
DEFAULT_DATE_FORMAT = "%Y年%-m月%-d日"
DEFAULT_DATE = "fs"

# Hand-written pages and (later) generated Markdown are pages; there are no articles.
PAGE_PATHS = ["pages", "generated"]
ARTICLE_PATHS: list[str] = []
# The clerks' records are data, not pages: never read as content, copied for download.
ARTICLE_EXCLUDES = ["records"]
PAGE_EXCLUDES = ["records"]
STATIC_PATHS = ["records"]
READERS = {"html": None}

SLUGIFY_SOURCE = "basename"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DIRECT_TEMPLATES = ["index", "records"]
RECORDS_SAVE_AS = "records/index.html"
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# No blog machinery: no feeds, tags, categories, authors or archives.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
ARTICLE_SAVE_AS = ""

# The download list of records (every ALL-CAPS setting reaches the templates).
_RECORDS = Path(__file__).resolve().parent / PATH / "records"
RECORD_FILES = (
    sorted(
        str(p.relative_to(_RECORDS))
        for p in _RECORDS.rglob("*")
        if p.is_file() and p.name != ".gitkeep"
    )
    if _RECORDS.is_dir()
    else []
)

RELATIVE_URLS = True
DELETE_OUTPUT_DIRECTORY = True
