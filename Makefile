# PGXS build of the buying_group extension.
EXTENSION  = buying_group
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" buying_group.control)

MODULE_big = buying_group
OBJS       = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
# The install script of the version in development is built from
# sql/install/*.sql, one concept per file, concatenated in name order. Its
# upgrade scripts are built from sql/upgrade/FROM--TO.sql (the state changes,
# written by hand), then every function, view, trigger, comment and grant of
# the install script, replayed as CREATE OR REPLACE, then what
# sql/upgrade/FROM--TO.after.sql checks or rebuilds with them. The scripts of
# released versions are kept in sql/ as they were released (doc/releasing.md).
EXTSCRIPT  = sql/$(EXTENSION)--$(EXTVERSION).sql
UPGRADES   = $(patsubst sql/upgrade/%.sql,sql/$(EXTENSION)--%.sql,$(wildcard sql/upgrade/*--$(EXTVERSION).sql))
DATA_built = $(EXTSCRIPT) $(UPGRADES)
DATA       = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

PG_CPPFLAGS = $(shell pkg-config --cflags jansson) -Isrc
SHLIB_LINK  = $(shell pkg-config --libs jansson)

# Warnings are errors when WERROR=1 (CI sets it).
ifeq ($(WERROR),1)
PG_CFLAGS += -Werror
endif

REGRESS      = install catalog rule_errors operators title matching differential completeness groups realtime engagement stages handoff robustness privileges bound_tables scores journeys
REGRESS_OPTS = --inputdir=.
ISOLATION      = concurrent_writers refresh_vs_writers notify catalog_vs_writers unread_updates
ISOLATION_OPTS = --inputdir=test/isolation

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTSCRIPT): $(sort $(wildcard sql/install/*.sql))
	awk 'FNR == 1 && NR > 1 { print "" } { print }' $^ > $@

$(UPGRADES): sql/$(EXTENSION)--%.sql: sql/upgrade/%.sql $(EXTSCRIPT) sql/upgrade/replay.awk $(wildcard sql/upgrade/*.after.sql)
	{ cat $<; echo; awk -f sql/upgrade/replay.awk $(EXTSCRIPT); \
	  if [ -f sql/upgrade/$*.after.sql ]; then cat sql/upgrade/$*.after.sql; fi; } > $@

# PGXS tracks no header dependencies: every object depends on every header.
$(OBJS): $(wildcard src/*.h)
