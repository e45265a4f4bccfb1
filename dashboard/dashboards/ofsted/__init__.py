"""Ofsted inspections: the latest inspection of each LA's children's services (ILACS), its statistical neighbours', London's and England's, and area SEND inspections."""
