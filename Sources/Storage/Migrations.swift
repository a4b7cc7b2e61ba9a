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
        migrator.registerMigration("v2 Loket connections, company list, links") { db in
            try db.execute(
                sql: """
                    CREATE TABLE loket_connections (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
                        environment TEXT NOT NULL CHECK (environment IN ('simulator', 'acceptance', 'production', 'custom')),
                        auth_url TEXT NOT NULL,
                        api_url TEXT NOT NULL,
                        client_id TEXT NOT NULL,
                        external_redirect_uri TEXT,
                        status TEXT NOT NULL CHECK (status IN ('new', 'connected', 'reconnect', 'disconnected')),
                        access_token_expires_at DATETIME,
                        last_refresh_at DATETIME,
                        last_error TEXT,
                        connected_at DATETIME,
                        companies_fetched_at DATETIME,
                        created_at DATETIME NOT NULL,
                        updated_at DATETIME NOT NULL
                    );
                    CREATE TABLE loket_employers (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        connection_id INTEGER NOT NULL REFERENCES loket_connections(id) ON DELETE CASCADE,
                        employer_id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        employer_number INTEGER,
                        chamber_of_commerce_number TEXT,
                        error TEXT,
                        UNIQUE (connection_id, employer_id)
                    );
                    CREATE TABLE loket_payroll_administrations (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        connection_id INTEGER NOT NULL REFERENCES loket_connections(id) ON DELETE CASCADE,
                        employer_id TEXT NOT NULL,
                        payroll_administration_id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        client_number INTEGER,
                        period_type TEXT,
                        has_journal_profile BOOLEAN NOT NULL,
                        journal_profile TEXT,
                        automatic_journal_runs BOOLEAN,
                        error TEXT,
                        UNIQUE (connection_id, payroll_administration_id),
                        FOREIGN KEY (connection_id, employer_id) REFERENCES loket_employers(connection_id, employer_id) ON DELETE CASCADE
                    );
                    CREATE TABLE loket_links (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        administration_id INTEGER NOT NULL UNIQUE REFERENCES administrations(id) ON DELETE RESTRICT,
                        connection_id INTEGER NOT NULL REFERENCES loket_connections(id) ON DELETE RESTRICT,
                        employer_id TEXT NOT NULL,
                        employer_name TEXT NOT NULL,
                        payroll_administration_id TEXT NOT NULL UNIQUE,
                        payroll_administration_name TEXT NOT NULL,
                        client_number INTEGER,
                        period_type TEXT,
                        linked_at DATETIME NOT NULL
                    );
                    """
            )
        }
        return migrator
    }
}
