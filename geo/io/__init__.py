"""Reading, importing and exporting files: record tables (CSV, XLSX), boundary files
(GeoJSON, zipped Shapefile, GeoPackage), import templates and exports. See ``geo``."""
