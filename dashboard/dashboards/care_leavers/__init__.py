"""Care leavers (OC3): care leavers aged 19 to 21 in each London LA, from DfE LAIT, against its comparators."""
