"""Child-level episodes (CLD): starts and ceases, durations, placement moves, missing episodes and adoption timeliness
from LAs' SSDA903 tables, the viewer's LA against its sub-region and London."""
