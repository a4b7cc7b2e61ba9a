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
        migrator.registerMigration("v3 journal entries, lines, mappings, closed periods, history") { db in
            try db.execute(
                sql: """
                    CREATE TABLE journal_entries (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        administration_id INTEGER NOT NULL REFERENCES administrations(id) ON DELETE RESTRICT,
                        status TEXT NOT NULL CHECK (status IN ('draft', 'booked')),
                        source TEXT NOT NULL CHECK (source IN ('loket', 'file', 'manual', 'reversal')),
                        source_reference TEXT,
                        source_sequence INTEGER NOT NULL DEFAULT 1,
                        description TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
                        entry_date TEXT NOT NULL CHECK (entry_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
                        fiscal_year INTEGER NOT NULL,
                        period INTEGER NOT NULL CHECK (period BETWEEN 1 AND 13),
                        number INTEGER,
                        is_difference BOOLEAN NOT NULL DEFAULT 0,
                        payroll_year INTEGER,
                        payroll_period INTEGER,
                        loket_run_sequence INTEGER,
                        loket_payroll_run_id TEXT,
                        loket_debit_cents INTEGER,
                        loket_credit_cents INTEGER,
                        reverses_entry_id INTEGER REFERENCES journal_entries(id) ON DELETE RESTRICT,
                        version INTEGER NOT NULL DEFAULT 1,
                        booked_at DATETIME,
                        created_at DATETIME NOT NULL,
                        updated_at DATETIME NOT NULL,
                        CHECK ((status = 'booked') = (number IS NOT NULL AND booked_at IS NOT NULL))
                    );
                    -- One entry per Loket journal run (per import generation) per administration.
                    CREATE UNIQUE INDEX journal_entries_source ON journal_entries(administration_id, source, source_reference, source_sequence)
                        WHERE source_reference IS NOT NULL;
                    CREATE UNIQUE INDEX journal_entries_number ON journal_entries(administration_id, fiscal_year, number)
                        WHERE number IS NOT NULL;
                    CREATE UNIQUE INDEX journal_entries_reversal ON journal_entries(reverses_entry_id) WHERE reverses_entry_id IS NOT NULL;
                    CREATE INDEX journal_entries_administration ON journal_entries(administration_id, status, fiscal_year, period);
                    CREATE TABLE journal_lines (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        entry_id INTEGER NOT NULL REFERENCES journal_entries(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        account_id INTEGER REFERENCES ledger_accounts(id) ON DELETE RESTRICT,
                        description TEXT NOT NULL DEFAULT '',
                        cost_center TEXT,
                        cost_unit TEXT,
                        debit_cents INTEGER NOT NULL CHECK (debit_cents BETWEEN 0 AND 100000000000000),
                        credit_cents INTEGER NOT NULL CHECK (credit_cents BETWEEN 0 AND 100000000000000),
                        original_account_code TEXT,
                        original_account_description TEXT,
                        original_cost_center TEXT,
                        original_cost_unit TEXT,
                        original_component TEXT,
                        original_debit_cents INTEGER,
                        original_credit_cents INTEGER,
                        CHECK (NOT (debit_cents > 0 AND credit_cents > 0))
                    );
                    CREATE INDEX journal_lines_entry ON journal_lines(entry_id, position);
                    CREATE INDEX journal_lines_account ON journal_lines(account_id);
                    -- Booked entries and their lines can never change.
                    CREATE TRIGGER journal_entries_booked_no_update BEFORE UPDATE ON journal_entries WHEN OLD.status = 'booked'
                    BEGIN SELECT RAISE(ABORT, 'booked journal entries are immutable'); END;
                    CREATE TRIGGER journal_entries_booked_no_delete BEFORE DELETE ON journal_entries WHEN OLD.status = 'booked'
                    BEGIN SELECT RAISE(ABORT, 'booked journal entries are immutable'); END;
                    CREATE TRIGGER journal_lines_booked_no_update BEFORE UPDATE ON journal_lines
                    WHEN (SELECT status FROM journal_entries WHERE id = OLD.entry_id) = 'booked'
                    BEGIN SELECT RAISE(ABORT, 'lines of booked journal entries are immutable'); END;
                    CREATE TRIGGER journal_lines_booked_no_delete BEFORE DELETE ON journal_lines
                    WHEN (SELECT status FROM journal_entries WHERE id = OLD.entry_id) = 'booked'
                    BEGIN SELECT RAISE(ABORT, 'lines of booked journal entries are immutable'); END;
                    CREATE TRIGGER journal_lines_booked_no_insert BEFORE INSERT ON journal_lines
                    WHEN (SELECT status FROM journal_entries WHERE id = NEW.entry_id) = 'booked'
                    BEGIN SELECT RAISE(ABORT, 'lines of booked journal entries are immutable'); END;
                    CREATE TABLE account_mappings (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        administration_id INTEGER NOT NULL REFERENCES administrations(id) ON DELETE RESTRICT,
                        loket_code TEXT NOT NULL,
                        account_id INTEGER NOT NULL REFERENCES ledger_accounts(id) ON DELETE RESTRICT,
                        created_at DATETIME NOT NULL,
                        UNIQUE (administration_id, loket_code)
                    );
                    CREATE TABLE closed_periods (
                        administration_id INTEGER NOT NULL REFERENCES administrations(id) ON DELETE RESTRICT,
                        fiscal_year INTEGER NOT NULL,
                        period INTEGER NOT NULL CHECK (period BETWEEN 1 AND 13),
                        closed_at DATETIME NOT NULL,
                        PRIMARY KEY (administration_id, fiscal_year, period)
                    );
                    CREATE TABLE administration_settings (
                        administration_id INTEGER PRIMARY KEY REFERENCES administrations(id) ON DELETE RESTRICT,
                        period_rule TEXT NOT NULL DEFAULT 'month' CHECK (period_rule IN ('month', 'payroll')),
                        mark_processed_in_loket BOOLEAN NOT NULL DEFAULT 1
                    );
                    -- Per-entry history of every change; kept when a draft is deleted.
                    CREATE TABLE entry_history (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        entry_id INTEGER NOT NULL,
                        administration_id INTEGER NOT NULL REFERENCES administrations(id) ON DELETE RESTRICT,
                        occurred_at DATETIME NOT NULL,
                        field TEXT NOT NULL,
                        old_value TEXT NOT NULL,
                        new_value TEXT NOT NULL
                    );
                    CREATE INDEX entry_history_entry ON entry_history(entry_id, id);
                    CREATE TRIGGER entry_history_no_update BEFORE UPDATE ON entry_history
                    BEGIN SELECT RAISE(ABORT, 'entry_history is append-only'); END;
                    CREATE TRIGGER entry_history_no_delete BEFORE DELETE ON entry_history
                    BEGIN SELECT RAISE(ABORT, 'entry_history is append-only'); END;
                    -- What we told Loket about a booked run (booked rows themselves never change).
                    CREATE TABLE loket_writebacks (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        entry_id INTEGER NOT NULL REFERENCES journal_entries(id) ON DELETE RESTRICT,
                        journal_run_id TEXT NOT NULL,
                        succeeded BOOLEAN NOT NULL,
                        message TEXT NOT NULL,
                        attempted_at DATETIME NOT NULL
                    );
                    CREATE INDEX loket_writebacks_entry ON loket_writebacks(entry_id, id);
                    """
            )
        }
        migrator.registerMigration("v4 remembered column mappings of payroll files") { db in
            try db.execute(
                sql: """
                    CREATE TABLE file_column_mappings (
                        administration_id INTEGER NOT NULL REFERENCES administrations(id) ON DELETE RESTRICT,
                        signature TEXT NOT NULL,
                        roles TEXT NOT NULL,
                        updated_at DATETIME NOT NULL,
                        PRIMARY KEY (administration_id, signature)
                    );
                    """
            )
        }
        migrator.registerMigration("v5 app settings and bulk sync history") { db in
            try db.execute(
                sql: """
                    -- Settings of the whole app: exactly one row.
                    CREATE TABLE app_settings (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        sync_concurrency INTEGER NOT NULL DEFAULT 4 CHECK (sync_concurrency BETWEEN 1 AND 16)
                    );
                    INSERT INTO app_settings (id) VALUES (1);
                    -- Every bulk sync ("Alles bijwerken" or `loonjournaal sync`); finished_at stays
                    -- NULL when the process died during the sync.
                    CREATE TABLE sync_runs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        origin TEXT NOT NULL CHECK (origin IN ('web', 'cli')),
                        started_at DATETIME NOT NULL,
                        finished_at DATETIME,
                        outcome TEXT CHECK (outcome IN ('completed', 'failures', 'cancelled')),
                        concurrency INTEGER NOT NULL,
                        administrations INTEGER NOT NULL,
                        runs_imported INTEGER NOT NULL DEFAULT 0,
                        failed INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE sync_results (
                        sync_run_id INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
                        administration_id INTEGER NOT NULL REFERENCES administrations(id) ON DELETE RESTRICT,
                        imported INTEGER NOT NULL,
                        already_present INTEGER NOT NULL,
                        waiting INTEGER NOT NULL,
                        booked INTEGER NOT NULL,
                        not_booked INTEGER NOT NULL,
                        cancelled BOOLEAN NOT NULL,
                        error TEXT,
                        -- Why nothing came, when that needs saying (no journal profile in Loket).
                        note TEXT,
                        PRIMARY KEY (sync_run_id, administration_id)
                    );
                    """
            )
        }
        migrator.registerMigration("v6 limits that keep every ledger sum inside Int64") { db in
            // See Ledger's JournalLimits: a line is at most 10^11 cents on one side, a booked
            // entry has at most 10.000 lines, and the booked entries of one administration are at
            // most 10^15 cents per side. The forms and imports check the same first, with a
            // message; these triggers are the last guard. Literal numbers: a migration never
            // changes once shipped. (Existing rows are left as they are.)
            try db.execute(
                sql: """
                    CREATE TRIGGER journal_lines_amount_limit_insert BEFORE INSERT ON journal_lines
                    WHEN NEW.debit_cents > 100000000000 OR NEW.credit_cents > 100000000000
                    BEGIN SELECT RAISE(ABORT, 'amount beyond the line limit'); END;
                    CREATE TRIGGER journal_lines_amount_limit_update BEFORE UPDATE OF debit_cents, credit_cents ON journal_lines
                    WHEN NEW.debit_cents > 100000000000 OR NEW.credit_cents > 100000000000
                    BEGIN SELECT RAISE(ABORT, 'amount beyond the line limit'); END;
                    CREATE TRIGGER journal_entries_booking_limits BEFORE UPDATE OF status ON journal_entries
                    WHEN OLD.status = 'draft' AND NEW.status = 'booked'
                    BEGIN
                        SELECT RAISE(ABORT, 'too many lines for one entry')
                        WHERE (SELECT COUNT(*) FROM journal_lines WHERE entry_id = NEW.id) > 10000;
                        SELECT RAISE(ABORT, 'administration total beyond the limit')
                        WHERE (SELECT MAX(COALESCE(SUM(l.debit_cents), 0), COALESCE(SUM(l.credit_cents), 0))
                               FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
                               WHERE e.administration_id = NEW.administration_id AND (e.status = 'booked' OR e.id = NEW.id))
                              > 1000000000000000;
                    END;
                    """
            )
        }
        migrator.registerMigration("v7 the office's default chart and former Loket links") { db in
            try db.execute(
                sql: """
                    -- The chart a new administration from the company list starts with: none, the
                    -- starter chart, or the chart of one administration (gone: none).
                    ALTER TABLE app_settings ADD COLUMN default_chart TEXT NOT NULL DEFAULT 'none'
                        CHECK (default_chart IN ('none', 'starter', 'administration'));
                    ALTER TABLE app_settings ADD COLUMN default_chart_administration_id INTEGER
                        REFERENCES administrations(id) ON DELETE SET NULL;
                    -- The administration a payroll administration was linked to before it was
                    -- unlinked: relinking proposes it instead of a new (duplicate) one.
                    CREATE TABLE loket_former_links (
                        payroll_administration_id TEXT PRIMARY KEY,
                        administration_id INTEGER NOT NULL REFERENCES administrations(id) ON DELETE CASCADE,
                        unlinked_at DATETIME NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v8 month-end control: tax returns, wage-tax accounts") { db in
            try db.execute(
                sql: """
                    -- The payroll tax returns (loonaangiften) as Loket last sent them; amounts NULL
                    -- while Loket is still making a return.
                    CREATE TABLE loket_tax_returns (
                        administration_id INTEGER NOT NULL REFERENCES administrations(id) ON DELETE CASCADE,
                        loket_id TEXT NOT NULL CHECK (length(loket_id) BETWEEN 1 AND 100),
                        year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 9999),
                        period INTEGER NOT NULL CHECK (period BETWEEN 0 AND 53),
                        period_start TEXT,
                        period_end TEXT,
                        status_key INTEGER NOT NULL,
                        status_text TEXT,
                        period_cents INTEGER CHECK (period_cents BETWEEN -100000000000000 AND 100000000000000),
                        correction_cents INTEGER CHECK (correction_cents BETWEEN -100000000000000 AND 100000000000000),
                        total_cents INTEGER CHECK (total_cents BETWEEN -100000000000000 AND 100000000000000),
                        payment_reference TEXT,
                        message_reference TEXT,
                        iban TEXT,
                        in_the_name_of TEXT,
                        wage_tax_number TEXT,
                        deadline TEXT,
                        correction_prior_year BOOLEAN NOT NULL DEFAULT 0,
                        fetched_at DATETIME NOT NULL,
                        PRIMARY KEY (administration_id, loket_id)
                    );
                    CREATE INDEX loket_tax_returns_period ON loket_tax_returns(year, period);
                    -- Whether Loket lets this user see an administration's tax returns: the Dutch
                    -- reason when it refused (403), NULL when it answered.
                    CREATE TABLE loket_tax_return_access (
                        administration_id INTEGER PRIMARY KEY REFERENCES administrations(id) ON DELETE CASCADE,
                        refused TEXT,
                        checked_at DATETIME NOT NULL
                    );
                    -- Which accounts carry the loonheffing, confirmed by the user (no row: the
                    -- proposal from the chart applies), and where rounding differences go.
                    CREATE TABLE wage_tax_settings (
                        administration_id INTEGER PRIMARY KEY REFERENCES administrations(id) ON DELETE CASCADE,
                        rounding_account_id INTEGER REFERENCES ledger_accounts(id) ON DELETE SET NULL,
                        confirmed_at DATETIME NOT NULL
                    );
                    CREATE TABLE wage_tax_accounts (
                        administration_id INTEGER NOT NULL REFERENCES wage_tax_settings(administration_id) ON DELETE CASCADE,
                        account_id INTEGER NOT NULL REFERENCES ledger_accounts(id) ON DELETE CASCADE,
                        PRIMARY KEY (administration_id, account_id)
                    );
                    CREATE TRIGGER wage_tax_accounts_own_chart BEFORE INSERT ON wage_tax_accounts
                    WHEN (SELECT administration_id FROM ledger_accounts WHERE id = NEW.account_id) IS NOT NEW.administration_id
                    BEGIN SELECT RAISE(ABORT, 'a wage-tax account belongs to its own administration'); END;
                    CREATE TRIGGER wage_tax_rounding_own_chart BEFORE INSERT ON wage_tax_settings
                    WHEN NEW.rounding_account_id IS NOT NULL
                      AND (SELECT administration_id FROM ledger_accounts WHERE id = NEW.rounding_account_id) IS NOT NEW.administration_id
                    BEGIN SELECT RAISE(ABORT, 'a rounding account belongs to its own administration'); END;
                    CREATE INDEX journal_entries_payroll_period ON journal_entries(payroll_year, payroll_period);
                    """
            )
        }
        migrator.registerMigration("v9 month-end status per administration and period") { db in
            try db.execute(
                sql: """
                    -- What Loket said of an administration's payroll period at the last refresh of the
                    -- month-end overview: the payroll status (a fact) and where its journal run stands.
                    CREATE TABLE loket_period_status (
                        administration_id INTEGER NOT NULL REFERENCES administrations(id) ON DELETE CASCADE,
                        year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 9999),
                        period INTEGER NOT NULL CHECK (period BETWEEN 1 AND 13),
                        payroll_status_key INTEGER CHECK (payroll_status_key BETWEEN 0 AND 99),
                        period_start TEXT CHECK (period_start IS NULL OR length(period_start) = 10),
                        period_end TEXT CHECK (period_end IS NULL OR length(period_end) = 10),
                        journal TEXT NOT NULL CHECK (journal IN ('notAsked', 'missing', 'inProgress', 'ready', 'unknown')),
                        journal_status_key INTEGER CHECK (journal_status_key BETWEEN 0 AND 99),
                        problem TEXT CHECK (problem IS NULL OR length(problem) <= 1000),
                        fetched_at DATETIME NOT NULL,
                        PRIMARY KEY (administration_id, year, period)
                    );
                    -- When the overview of a period was last refreshed from Loket, and what it cost.
                    CREATE TABLE month_end_refreshes (
                        year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 9999),
                        period INTEGER NOT NULL CHECK (period BETWEEN 1 AND 13),
                        refreshed_at DATETIME NOT NULL,
                        requests INTEGER NOT NULL CHECK (requests >= 0),
                        PRIMARY KEY (year, period)
                    );
                    """
            )
        }
        migrator.registerMigration("v10 evidence on entries, Loket's year figures") { db in
            try db.execute(
                sql: """
                    -- The bytes of every attachment, once per content (SHA-256, hex); never changed.
                    CREATE TABLE attachment_contents (
                        sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
                        byte_count INTEGER NOT NULL CHECK (byte_count BETWEEN 1 AND 20971520),
                        content BLOB NOT NULL CHECK (length(content) = byte_count)
                    );
                    CREATE TRIGGER attachment_contents_no_update BEFORE UPDATE ON attachment_contents
                    BEGIN SELECT RAISE(ABORT, 'attachment contents are immutable'); END;
                    -- Evidence kept with an entry: Loket's journal report and per-employee overview,
                    -- or a file the user added.
                    CREATE TABLE entry_attachments (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        entry_id INTEGER NOT NULL REFERENCES journal_entries(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL CHECK (kind IN ('journalReport', 'employeeOverview', 'userFile')),
                        file_name TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 120),
                        media_type TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'text/csv', 'image/png', 'image/jpeg')),
                        sha256 TEXT NOT NULL REFERENCES attachment_contents(sha256) ON DELETE RESTRICT,
                        byte_count INTEGER NOT NULL CHECK (byte_count BETWEEN 1 AND 20971520),
                        added_at DATETIME NOT NULL
                    );
                    CREATE UNIQUE INDEX entry_attachments_loket ON entry_attachments(entry_id, kind) WHERE kind != 'userFile';
                    CREATE INDEX entry_attachments_entry ON entry_attachments(entry_id, id);
                    -- Attachments of a booked entry never change or disappear; a booked entry only
                    -- receives Loket's own documents that were still being fetched, never a user's file.
                    CREATE TRIGGER entry_attachments_booked_no_update BEFORE UPDATE ON entry_attachments
                    BEGIN SELECT RAISE(ABORT, 'attachments are immutable'); END;
                    CREATE TRIGGER entry_attachments_booked_no_delete BEFORE DELETE ON entry_attachments
                    WHEN (SELECT status FROM journal_entries WHERE id = OLD.entry_id) = 'booked'
                    BEGIN SELECT RAISE(ABORT, 'attachments of booked journal entries are immutable'); END;
                    CREATE TRIGGER entry_attachments_booked_no_user_insert BEFORE INSERT ON entry_attachments
                    WHEN NEW.kind = 'userFile' AND (SELECT status FROM journal_entries WHERE id = NEW.entry_id) = 'booked'
                    BEGIN SELECT RAISE(ABORT, 'attachments of booked journal entries are immutable'); END;
                    -- Loket documents still to fetch: a failed download never blocks the import.
                    CREATE TABLE attachment_downloads (
                        entry_id INTEGER NOT NULL REFERENCES journal_entries(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL CHECK (kind IN ('journalReport', 'employeeOverview')),
                        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 1000000),
                        last_error TEXT CHECK (last_error IS NULL OR length(last_error) <= 1000),
                        last_attempt_at DATETIME,
                        PRIMARY KEY (entry_id, kind)
                    );
                    -- Loket's cumulative journal results of a payroll year, as last fetched.
                    CREATE TABLE loket_year_results (
                        administration_id INTEGER NOT NULL REFERENCES administrations(id) ON DELETE CASCADE,
                        year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 9999),
                        position INTEGER NOT NULL CHECK (position >= 0),
                        account_code TEXT NOT NULL CHECK (length(account_code) BETWEEN 1 AND 100),
                        account_description TEXT CHECK (account_description IS NULL OR length(account_description) <= 200),
                        debit_cents INTEGER NOT NULL CHECK (debit_cents BETWEEN 0 AND 100000000000000),
                        credit_cents INTEGER NOT NULL CHECK (credit_cents BETWEEN 0 AND 100000000000000),
                        PRIMARY KEY (administration_id, year, position)
                    );
                    -- The year's journal runs with results that have no booked entry here, and their
                    -- totals per Loket account (what the ledger lacks).
                    CREATE TABLE loket_year_open_runs (
                        administration_id INTEGER NOT NULL REFERENCES administrations(id) ON DELETE CASCADE,
                        year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 9999),
                        journal_run_id TEXT NOT NULL CHECK (length(journal_run_id) BETWEEN 1 AND 100),
                        sequence_number INTEGER NOT NULL,
                        payroll_period INTEGER NOT NULL CHECK (payroll_period BETWEEN 0 AND 53),
                        account_code TEXT NOT NULL CHECK (length(account_code) BETWEEN 1 AND 100),
                        debit_cents INTEGER NOT NULL CHECK (debit_cents BETWEEN 0 AND 100000000000000),
                        credit_cents INTEGER NOT NULL CHECK (credit_cents BETWEEN 0 AND 100000000000000),
                        PRIMARY KEY (administration_id, year, journal_run_id, account_code)
                    );
                    CREATE TABLE year_end_refreshes (
                        administration_id INTEGER NOT NULL REFERENCES administrations(id) ON DELETE CASCADE,
                        year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 9999),
                        refreshed_at DATETIME,
                        problem TEXT CHECK (problem IS NULL OR length(problem) <= 1000),
                        problem_at DATETIME,
                        PRIMARY KEY (administration_id, year)
                    );
                    """
            )
        }
        migrator.registerMigration("v11 browser sessions that survive a restart, rescued form posts") { db in
            try db.execute(
                sql: """
                    -- Only the SHA-256 of a session's cookie value is kept: the database alone lets
                    -- nobody in. A session ends at expires_at, or when revoked (Afmelden).
                    CREATE TABLE browser_sessions (
                        token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64 AND token_hash NOT GLOB '*[^0-9a-f]*'),
                        created_at DATETIME NOT NULL,
                        last_seen_at DATETIME NOT NULL,
                        expires_at DATETIME NOT NULL,
                        revoked_at DATETIME
                    );
                    -- A draft form posted after its session ended: kept (a day) so that it can be
                    -- offered again after signing in, never applied by itself.
                    CREATE TABLE rescued_forms (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        path TEXT NOT NULL CHECK (length(path) BETWEEN 1 AND 200),
                        body TEXT NOT NULL CHECK (length(body) <= 16777216),
                        saved_at DATETIME NOT NULL
                    );
                    CREATE INDEX rescued_forms_path ON rescued_forms(path, id);
                    """
            )
        }
        return migrator
    }
}
