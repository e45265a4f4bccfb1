"""Health of looked-after children (OC2): health and dental checks, immunisations, substance misuse, offending and the SDQ, from DfE LAIT, each London LA against its comparators."""
