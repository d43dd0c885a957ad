"""Linkage of partner registrations into persons, in the clear or on Bloom-filter encodings.

Framework-free: no Django here (see tests/domain/test_domain_is_framework_free.py).
"""

from .api import (
    CLUSTER_COLUMNS,
    Clusters,
    cluster_sizes,
    link_encoded,
    link_records,
    n_persons,
    overlap_table,
    write_clusters_csv,
    write_encoded_csv,
    write_overlap_csv,
)
from .bloom import SCHEME, EncodedSet, Encoder, EncodingKey
from .errors import LinkageInputError
from .pprl import read_encoded
from .records import COLUMNS, Registration, parse_date, read_registrations

__all__ = [
    "CLUSTER_COLUMNS",
    "COLUMNS",
    "SCHEME",
    "Clusters",
    "EncodedSet",
    "Encoder",
    "EncodingKey",
    "LinkageInputError",
    "Registration",
    "cluster_sizes",
    "link_encoded",
    "link_records",
    "n_persons",
    "overlap_table",
    "parse_date",
    "read_encoded",
    "read_registrations",
    "write_clusters_csv",
    "write_encoded_csv",
    "write_overlap_csv",
]
