"""The sample county: real outline, codes and names; schematic boundaries; synthetic
records; the seeded database. See ``geo``."""
