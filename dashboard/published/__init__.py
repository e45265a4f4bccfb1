"""Published statistics (DfE, ONS): recognise a file by its columns, keep England's LA, regional and
national rows with their markers, and store them so pages can show real figures beside members' data.

The project ships these importers, never the files: users download current releases from the publishers.
"""
