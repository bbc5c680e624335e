"""The short-meetings engine: sessions of slots and tables, two sides of participants,
bookings, wishes and scheduling runs. Roles are data (`side_a_role`, `side_b_role`), so that
ESSpresso (buyers / ESS suppliers) and the forum's job-dating (exhibitors / visitors) share it.
"""
