"""Staff roles and the named groups every permission is written in.

A check reads as what it means (`user.is_in(DESK)`) and the group is the one
place that says who belongs to it. Villagers have no role: they never log in.
"""
ADMIN = "admin"
CLERK = "clerk"
OFFICER = "officer"
LEADER = "leader"
POSTAL = "postal"
ROLES = (ADMIN, CLERK, OFFICER, LEADER, POSTAL)
ROLE_LABELS = {  # msgids: templates show them through _()
    ADMIN: "Quản trị",
    CLERK: "Cán bộ một cửa",
    OFFICER: "Chuyên viên",
    LEADER: "Lãnh đạo",
    POSTAL: "Nhân viên bưu điện",
}

# Who reads a dossier in the inbox: its page, photos, form answers and printed forms. Never the post.
DOSSIER_READERS = (ADMIN, CLERK, OFFICER, LEADER)
# Who works a dossier: checks, supplement requests, results, refusals, messages.
DOSSIER_WORKERS = (ADMIN, CLERK, OFFICER)
# The reception desk: receives and returns, takes walk-in dossiers, hands results to the post.
DESK = (ADMIN, CLERK)
# Who decides which officer handles a dossier.
DISPATCHERS = (ADMIN, CLERK, LEADER)
# Who reads the figures; of them, who may export the register with villagers' details.
FIGURE_READERS = (ADMIN, CLERK, LEADER)
REGISTER_READERS = (ADMIN, LEADER)
# Postal carriers, and everyone who works the post's screens (carriers and the desk).
CARRIERS = (POSTAL,)
POST_ROOM = (POSTAL, CLERK, ADMIN)
ADMINS = (ADMIN,)
EVERY_STAFF = ROLES


def is_in(user, group):
    """True for a logged-in, active staff member whose role is in `group`."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role in group)
