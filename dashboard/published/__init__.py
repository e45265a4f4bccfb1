"""Published statistics (DfE, ONS, Ofsted): `import-published` recognises each file by its columns and stores it
wherever a page uses it: Benchmarking's published statistics (`formats`, `store`) and the pages' own tables
(`routes`, calling the importers in `dashboard.datasets`). `export published` writes them all back out
(`store.export_frame`, `page_figures`); `maps` draws a choropleth from a configured boundary file.

The project ships these importers, never the files: users download current releases from the publishers.
"""
