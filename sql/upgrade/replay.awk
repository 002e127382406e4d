# Reads an install script and prints what an upgrade to it replays: every
# function, aggregate, view and trigger as CREATE OR REPLACE, every event
# trigger dropped and made again, and every comment, grant and revoke. Tables, types, sequences, schemas and seed rows
# are state: each upgrade script changes them by hand before this part.
# Statements end with a semicolon at the end of a line outside dollar quotes.

function flush() {
    if (keep && stmt != "")
        printf "%s\n", stmt;
    stmt = ""; keep = -1;
}

BEGIN { stmt = ""; keep = -1; tag = "" }

{
    line = $0;
    if (tag == "" && keep == -1) {
        if (line ~ /^[ \t]*$/ || line ~ /^[ \t]*--/ || line ~ /^\\/)
            next;
        if (line ~ /^CREATE (FUNCTION|AGGREGATE|VIEW|TRIGGER) /) {
            sub(/^CREATE /, "CREATE OR REPLACE ", line);
            keep = 1;
        } else if (line ~ /^CREATE EVENT TRIGGER /) {
            split(line, word, " ");
            line = "DROP EVENT TRIGGER IF EXISTS " word[4] ";\n" line;
            keep = 1;
        } else if (line ~ /^(COMMENT ON|GRANT|REVOKE) /)
            keep = 1;
        else
            keep = 0;
    }
    stmt = (stmt == "") ? line : stmt "\n" line;
    # dollar quotes opened and closed on this line
    rest = line;
    while (match(rest, /\$[A-Za-z_]*\$/)) {
        t = substr(rest, RSTART, RLENGTH);
        if (tag == "") tag = t; else if (t == tag) tag = "";
        rest = substr(rest, RSTART + RLENGTH);
    }
    if (tag == "" && line ~ /;[ \t]*(--.*)?$/)
        flush();
}

END { flush() }
