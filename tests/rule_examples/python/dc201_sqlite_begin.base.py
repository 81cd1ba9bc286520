# path: queue/sqlite_storage.py
import sqlite3


class Storage:
    def __init__(self, path):
        self.conn = sqlite3.connect(path, isolation_level=None)

    def enqueue(self, data):
        self.conn.execute("insert into task (data) values (?)", (data,))
