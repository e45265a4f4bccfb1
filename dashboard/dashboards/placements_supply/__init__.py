"""Placements and supply: who places children here, what Ofsted-registered supply there is, and demand against it."""
