"""Pages of published measures per LA (DfE LAIT), each London LA against its sub-region, Inner or Outer London,
London, England and its DfE statistical neighbours, year by year. Shared by the dashboards built on such a set of
measures (care leavers, the health of looked-after children): each declares its measures (`spec.Measure`), its
table (`spec.measure_table`) and its page; the comparisons, charts, view, layout and import are made here once.
It names no dashboard."""
