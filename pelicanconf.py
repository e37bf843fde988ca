"""Pelican settings for the public disclosure site (development build).

Decisions (docs/DECISIONS.md): pages only, no blog articles; the clerks' records under
content/records/ are static downloads, never rendered; ASCII slugs; zh-CN.
"""

from pathlib import Path

from suiji.publish.themefilters import JINJA_FILTERS  # noqa: F401  (the theme's filters)

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
DIRECT_TEMPLATES = [
    "index",
    "records",
    "search",
    "tasks",
    "enterprises",
    "results",
    "noticecheck",
    "sitemap",
    "verify",
]
RECORDS_SAVE_AS = "records/index.html"
SEARCH_SAVE_AS = "search/index.html"
TASKS_SAVE_AS = "tasks/index.html"
ENTERPRISES_SAVE_AS = "enterprises/index.html"
RESULTS_SAVE_AS = "results/index.html"
NOTICECHECK_SAVE_AS = "notice-check/index.html"
SITEMAP_SAVE_AS = "sitemap/index.html"
VERIFY_SAVE_AS = "verify/index.html"

# Autoescape: every value a template prints is escaped by Jinja (clerk text in Suiji_data
# arrives as plain text); the rendered page body goes through the `tables` filter only.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}

# 网站页脚（政府网站必备信息）。正式发布（suiji build --production 或 --portal、
# make publish）时任何一项为空，构建即失败：请填写本局的真实信息。
SITE_FOOTER = {
    "主办单位": "示例县应急管理局",
    "联系方式": "0000-00000000（示例）",
    "网站标识码": "0000000000（示例）",
    "ICP备案号": "示ICP备00000000号（示例）",
    "公安备案号": "示公网安备00000000000000号（示例）",
}

# Filled in by `suiji build` from the ledger (the build's as-of time, latest tasks and
# results, overdue and withheld banners, the finder's lists); empty for a plain
# `pelican` run, which then shows the records-only site.
SUIJI_SITE: dict[str, object] = {}
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
