"""The local data folder: opening it, what it stores beside the records, and moving it.

    app.py            open_data_dir / close: the one start both the GUI and the CLI go through (migrations,
                      the record hooks' registration)
    context.py        the open folder's context (device id and code, actor, profile)
    settings.py, profile.py  key/value settings in the database, the officer profile
    sessions.py       lock state per UI session (web tabs share one open folder)
    backup.py         rotating backups and restore
    transfer.py, transfer_rules.py         moving records between folders (USB transfer)
    demo.py           demo data

Encryption at rest of the folder is services/security/ (opening.py opens an encrypted folder through app.py).
"""
