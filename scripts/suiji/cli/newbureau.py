"""`suiji new DIR --bureau NAME`: start a bureau's own repository.

The new repository carries suiji's code, tests, documents, site theme and CI exactly as
they are in the source checkout it is run from (docs/adr: a bureau's repository vendors
suiji), and everything that is the bureau's own starts empty: record templates with the
right headers and drop-downs, no plans, no ledger, pages and site settings with the
bureau's name. Nothing of the example county's records, plans, samples or pages is copied,
so nothing fictional can be published by mistake. The example county stays available to
the tests as package data (`suiji.example.county.generate`), never as content/.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from suiji.shared.errors import UsageError

COPIED = (
    "scripts",
    "tests",
    "benchmarks",
    "docs",
    "theme",
    ".ci",
    ".github",
    "Makefile",
    "pyproject.toml",
    "publishconf.py",
    "ledger/README.md",
)
"""What a bureau copies over as it is (its own files are written, not copied)."""

LICENSES = ("LICENSE", "LICENSE.txt", "NOTICE")

_JUNK = shutil.ignore_patterns(
    "__pycache__", "*.pyc", "*.egg-info", ".pytest_cache", ".mypy_cache", ".ruff_cache"
)

GITIGNORE = """\
# 私钥绝不进仓库 (private keys never enter the repository)
private/
*.key
*.pem
!tests/vectors/*.pem
# Excel 打开文件时留下的锁文件和临时文件 (Excel lock and temporary files)
~$*
~$*.xlsx
*.tmp
.~lock.*#
# 本地环境与生成物 (local environment and build output)
.venv/
__pycache__/
*.egg-info/
.pytest_cache/
.mypy_cache/
.ruff_cache/
.hypothesis/
output/
.cache/
demo/
/content/generated/
build/
dist/
ledger/.lock
ledger/.writer-cache.json
"""


def source_checkout() -> Path:
    """The suiji repository this suiji runs from (an editable install of a clone)."""
    import suiji

    root = Path(suiji.__file__).resolve().parents[2]
    pyproject = root / "pyproject.toml"
    if not (
        pyproject.is_file()
        and 'name = "suiji"' in pyproject.read_text("utf-8")
        and all((root / name).exists() for name in COPIED)
    ):
        raise UsageError(
            "suiji new 需要从 suiji 的源代码仓库运行：先 git clone suiji 的仓库，"
            "在其中运行 make test（或 pip install -e .），再用该环境的 suiji new",
            code="no-source-checkout",
        )
    return root


def _check_name(bureau: str) -> str:
    name = bureau.strip()
    if not name or re.search(r'["\\\n\r]', name):
        raise UsageError(f"--bureau 应为机关全称，不含引号、反斜杠或换行：{bureau!r}")
    return name


def new_bureau(target: Path, bureau: str, *, source: Path | None = None) -> list[str]:
    """Create the bureau repository at `target`; returns the paths written (relative)."""
    from suiji.records.templates import write_templates

    name = _check_name(bureau)
    src = source or source_checkout()
    target = target.resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} 已存在且不为空；请换一个新目录", code="target-not-empty")
    target.mkdir(parents=True, exist_ok=True)
    for rel in COPIED:
        a, b = src / rel, target / rel
        if a.is_dir():
            shutil.copytree(a, b, ignore=_JUNK)
        else:
            b.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(a, b)
    for rel in LICENSES:
        if (src / rel).is_file():
            shutil.copy2(src / rel, target / rel)
    records = target / "content" / "records"
    write_templates(records)
    (records / "plans").mkdir()
    (records / "plans" / ".gitkeep").write_text("", "utf-8")
    (target / ".gitignore").write_text(GITIGNORE, "utf-8")
    (target / "pelicanconf.py").write_text(
        _site_settings((src / "pelicanconf.py").read_text("utf-8"), name), "utf-8"
    )
    (target / "content" / "pages").mkdir(parents=True)
    (target / "content" / "pages" / "about.md").write_text(_about(name), "utf-8")
    (target / "README.md").write_text(_readme(name), "utf-8")
    return sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())


def _site_settings(text: str, name: str) -> str:
    """suiji's pelicanconf.py with the bureau's name as author and in the site title."""
    text = re.sub(r'(?m)^AUTHOR = ".*"$', f'AUTHOR = "{name}"', text)
    # The example county's footer values are not the bureau's: blank them, so a production
    # build refuses until the bureau fills in its own (suiji build --production).
    text = re.sub(r'(?m)^    "主办单位": ".*",$', f'    "主办单位": "{name}",', text)
    text = re.sub(
        r'(?m)^    "(联系方式|网站标识码|ICP备案号|公安备案号)": ".*",$', r'    "\1": "",', text
    )
    return re.sub(r'(?m)^SITENAME = ".*"$', f'SITENAME = "{name} “双随机、一公开” 抽查公示"', text)


def _about(name: str) -> str:
    return f"""Title: 关于本站
Slug: about

本站由{name}发布，公示“双随机、一公开”执法检查：随机抽取检查对象、随机选派执法检查人员、随机抽取检查事项，并公开检查结果。

**怎样验证**：每次抽签前，本局先承诺检查对象名录的快照、抽签规则和一个将来才会产生的公开随机数（drand 随机信标的某一轮）。随机数产生后，抽签结果由公开的算法唯一确定。任何人可以下载本站的账本与原始记录，用 `suiji verify` 复算每一次抽签。

原始记录（名录库、检查事项清单、回避登记、年度计划）可在 [records/](../records/) 下载。
"""


def _readme(name: str) -> str:
    return f"""# {name} “双随机、一公开” 抽查

本仓库是{name}的抽查账本与公开记录，由 [suiji](docs/ARCHITECTURE.md) 生成和验证。

## 开始（办事员）

1. 在 `content/records/` 填写本局的名录库、人员库、专家库、检查事项清单、回避登记和年度计划
   （已有带下拉列表的 Excel 模板；列的含义见 [docs/RECORDS.md](docs/RECORDS.md)），
   运行 `suiji check`，直到没有错误。
2. `suiji keygen` 生成根密钥和签名密钥（私钥保存在仓库之外，`.gitignore` 已排除 `private/`、`*.key`），
   `suiji init --beacon drand-quicknet …` 写入创世条目，并公布创世条目哈希。
3. 每项抽查写一个方案到 `content/records/plans/任务编号.toml`，`suiji commit` 承诺；
   信标轮次到来后 `suiji draw` 抽取。写入账本的命令会先显示将写入的内容并请求确认，CI 中加 `--yes`。

## 测试与发布

    make test    # ruff、mypy 和全部测试（测试用 suiji 自带的虚构数据，不读本局的记录）
    make html    # 生成公示网站

## 公众如何验证

下载本仓库的 `ledger/` 与 `content/records/`，运行 `suiji verify --pin <创世哈希>`。
详见 [docs/VERIFYING.md](docs/VERIFYING.md)。
"""
