"""Django's PostgreSQL engine with one addition: work registered for "just before
commit" runs inside the transaction, before COMMIT is sent.

The PostgreSQL search backend keeps its rows in the same database as the records,
and writes them in the same transaction as the change they reflect, so a record is
searchable from every app server the moment its transaction commits, and a crash
between the two can leave no drift. Django offers `on_commit` (after) but no
"before commit" hook; a custom engine subclassing Django's own is the documented
way to add one (DATABASES["default"]["ENGINE"]).
"""
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_commit = []  # callables run once, in order, just before the next COMMIT

    def _commit(self):
        try:
            while self.before_commit:
                hooks, self.before_commit = self.before_commit, []
                for hook in hooks:
                    hook()
        except BaseException:
            # Django's Atomic rolls back only on a DatabaseError from commit: for
            # anything else (Ctrl-C during an index write) roll back here, so the
            # connection is never left in the middle of a transaction.
            self.before_commit = []
            self.connection.rollback()
            raise
        return super()._commit()

    def _rollback(self):
        self.before_commit = []
        return super()._rollback()
