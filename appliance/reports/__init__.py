"""Reports from stored lessons: results and gradebooks loaded and scored, exports to a folder."""
