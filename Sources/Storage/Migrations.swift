import GRDB

/// The schema, one append-only migration at a time. Never edit a migration that has shipped:
/// add a new one. Table and column names are strings on purpose (no app types).
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 administrations, chart of accounts, audit log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE administrations (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        code TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(code) BETWEEN 1 AND 20),
                        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
                        fiscal_year INTEGER NOT NULL CHECK (fiscal_year BETWEEN 1990 AND 2100),
                        chamber_of_commerce_number TEXT,
                        vat_number TEXT,
                        rsin TEXT,
                        street TEXT,
                        postal_code TEXT,
                        city TEXT,
                        country TEXT NOT NULL DEFAULT 'NL',
                        created_at DATETIME NOT NULL,
                        updated_at DATETIME NOT NULL
                    );
                    CREATE TABLE ledger_accounts (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        administration_id INTEGER NOT NULL REFERENCES administrations(id) ON DELETE RESTRICT,
                        number TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 20),
                        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
                        type TEXT NOT NULL CHECK (type IN ('B', 'W')),
                        rgs_code TEXT,
                        is_active BOOLEAN NOT NULL DEFAULT 1,
                        created_at DATETIME NOT NULL,
                        updated_at DATETIME NOT NULL,
                        UNIQUE (administration_id, number)
                    );
                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        administration_id INTEGER REFERENCES administrations(id) ON DELETE RESTRICT,
                        occurred_at DATETIME NOT NULL,
                        subject TEXT NOT NULL,
                        action TEXT NOT NULL,
                        details TEXT NOT NULL
                    );
                    CREATE INDEX audit_log_administration ON audit_log(administration_id, id);
                    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                    """
            )
        }
        return migrator
    }
}
