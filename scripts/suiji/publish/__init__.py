"""What suiji makes for people from a ledger it only reads (never signs).

Pages for the public site: Markdown with front matter for Pelican, from the ledger alone.

`suiji publish` reads the ledger, its objects and the snapshots the commitments name, never
the record files and never a key; it writes `content/generated/` (git-ignored), which
Pelican reads as pages. `markdown` escapes and renders (pure), `collect` gathers what the
pages show, `taskpages`/`enterprisepages`/`registrypages` make the pages, `site` writes
them incrementally. The inspection's documents (`documents`, `notices`, `template`,
`export`) are made for the bureau from the same ledger. Front matter contract:
docs/adr/0038-published-markdown-pages.md and `markdown.Page`.
"""
