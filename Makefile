# PGXS build of the buying_group extension.
EXTENSION  = buying_group
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" buying_group.control)

MODULE_big = buying_group
OBJS       = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA       = $(wildcard sql/buying_group--*.sql)

PG_CPPFLAGS = $(shell pkg-config --cflags jansson) -Isrc
SHLIB_LINK  = $(shell pkg-config --libs jansson)

# Warnings are errors when WERROR=1 (CI sets it).
ifeq ($(WERROR),1)
PG_CFLAGS += -Werror
endif

REGRESS      = install catalog rule_errors operators title matching differential completeness groups realtime engagement
REGRESS_OPTS = --inputdir=.
ISOLATION      = concurrent_writers refresh_vs_writers notify
ISOLATION_OPTS = --inputdir=test/isolation

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: every object depends on every header.
$(OBJS): $(wildcard src/*.h)
