"""The DfE's SSDA903 return as LAs send it: its tables (recognised by their columns), its code lists and validation
rules by collection year, and how a set of files is read, checked and degraded before anything is stored."""
