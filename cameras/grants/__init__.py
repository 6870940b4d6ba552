"""Who may see which sites and cameras: members, invitations and their site/camera limits.

The pages and API of an organization's members live here, beside the sites
and cameras they grant, rather than in ``accounts``: ``accounts`` (people,
organizations, roles, the access gate, the services that check and save a
grant) sits below ``cameras`` and imports none of it.
"""
