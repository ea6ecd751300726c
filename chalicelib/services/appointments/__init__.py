"""特殊情形再生育预约（三孩预约） (000 §2.1): the couple books a slot of a township office's published
capacity (``booking``); the office's counter confirms it, marks a no-show, or registers the couple
on site from it (``counter``).

The top use-case package: registering from an appointment is the staff's on-site registration
(``staff.accounts.register_onsite``), and the capacity is the office's organisation information
(``staff.organisations``), so this package may use the staff package, never the other way round.
"""
