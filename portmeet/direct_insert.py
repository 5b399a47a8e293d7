"""New rows written by direct INSERTs and put in the session as if loaded, instead of by the ORM's flush.

A registration writes a new row, its private link and its picks under the meeting's lock. The ORM's unit of
work (dependency sorting, cascades, attribute history) spent 1.5 ms of CPU on those three or four rows, where
executing the same INSERTs costs half that (issue 16; benchmarks/profile_registration.py). This writes what the
flush would have written, and no more: each column the object holds, else the column's default (set on the
object too, so nothing is left to load), the keys of the objects its many-to-one relationships point to, and the
parent's key in its children's rows. The objects then join the session as persistent rows; anything changed or
added afterwards is the ORM's flush, as everywhere else; a rollback takes them out of the session again. On
PostgreSQL a table's new rows go in one INSERT; SQLite (the development database) gets one per row.
"""
import functools

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import RelationshipDirection, Session, make_transient_to_detached

from portmeet.extensions import db

_INSERTED = "portmeet_direct_inserts"  # session.info: the objects written here in its current transaction


def _row(obj) -> dict:
    """The row the ORM's flush would write for a new object (primary key left to the database). Like the flush,
    a column given no value, or None where it has a default, takes its default; one with neither is left out
    of the INSERT (NULL, never JSON's `null`)."""
    state = inspect(obj)
    mapper, held = state.mapper, state.dict
    values = {}
    for relationship in mapper.relationships:
        target = held.get(relationship.key)
        if relationship.direction is RelationshipDirection.MANYTOONE and target is not None:
            for local, remote in relationship.local_remote_pairs:
                held[mapper.get_property_by_column(local).key] = getattr(
                    target, inspect(target).mapper.get_property_by_column(remote).key)
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if column.table is not mapper.local_table or (column.primary_key and held.get(prop.key) is None):
            continue
        default = column.default
        if held.get(prop.key) is None and (prop.key not in held or default is not None
                                           or column.server_default is not None):
            if default is None and column.server_default is None:
                held[prop.key] = None  # NULL: nothing to write, nothing to load
                continue
            if default is None or default.is_clause_element or default.is_sequence:
                continue  # computed by the database: returned by the INSERT (`_insert`)
            held[prop.key] = default.arg(None) if default.is_callable else default.arg
        values[column.key] = held[prop.key]
    return values


@functools.cache
def _insert_statement(table, returned: tuple[str, ...]):
    return insert(table).returning(*(table.c[key] for key in returned), sort_by_parameter_order=True)


def _insert(objects: list) -> None:
    """INSERT new objects of one class in one statement (one each if they hold different columns); their primary
    keys, and what the database filled in, come back in order and are set on them."""
    if not objects:
        return
    rows = [_row(obj) for obj in objects]
    if any(row.keys() != rows[0].keys() for row in rows):
        for obj in objects:
            _insert([obj])
        return
    state = inspect(objects[0])
    mapper = state.mapper
    returned = [column for column in mapper.local_table.columns
                if mapper.get_property_by_column(column).key not in state.dict]
    statement = _insert_statement(mapper.local_table, tuple(column.key for column in returned))
    for obj, values in zip(objects, db.session.connection().execute(statement, rows)):
        for column, value in zip(returned, values):
            setattr(obj, mapper.get_property_by_column(column).key, value)


def insert_with_children(parent, *collections: str) -> None:
    """Write a new `parent` (never added to the session) and the new rows of its one-to-many `collections`, then
    add it to the session as a persistent object, its children with it (its other collections must be empty)."""
    _insert([parent])
    mapper = inspect(parent).mapper
    children = []
    for name in collections:
        relationship = mapper.relationships[name]
        rows = list(getattr(parent, name))
        for child in rows:
            child_mapper = inspect(child).mapper
            for local, remote in relationship.local_remote_pairs:
                setattr(child, child_mapper.get_property_by_column(remote).key,
                        getattr(parent, mapper.get_property_by_column(local).key))
        _insert(rows)
        children += rows
    for obj in (parent, *children):
        make_transient_to_detached(obj)
    db.session.add(parent)  # its children follow by cascade, as loaded rows: no INSERT at the next flush
    db.session.info.setdefault(_INSERTED, []).extend((parent, *children))


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    """Rolled back, these rows never existed: out of the session with them, as the ORM does with the pending
    objects of a rolled-back flush (else their ids, which SQLite hands out again, would clash with the next
    rows'). The project uses no savepoints; a rollback to one would leave them in."""
    for obj in session.info.pop(_INSERTED, ()):
        if obj in session:
            session.expunge(obj)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_INSERTED, None)
