"""Pages for the public site: Markdown with front matter for Pelican, from the ledger alone.

`suiji publish` reads the ledger, its objects and the snapshots the commitments name, never
the record files and never a key; it writes `content/generated/` (git-ignored), which
Pelican reads as pages. `markdown` escapes and renders (pure), `collect` gathers what the
pages show, `taskpages`/`enterprisepages`/`registrypages` make the pages, `site` writes
them incrementally. Front matter contract: docs/adr (i13-publish) and `markdown.Page`.
"""
