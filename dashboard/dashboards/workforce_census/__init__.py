"""Workforce census: DfE's children's social work workforce for each London LA (FTE, agency, vacancies, turnover,
absence, caseload, starters and leavers) against its comparators, the Kingston / Richmond joint return kept joint."""
