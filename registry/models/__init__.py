"""The registry's data model, one module per concept."""
from registry.models.documents import Document  # noqa: F401
from registry.models.evaluations import (  # noqa: F401
    Evaluation,
    EvaluationDesign,
    EvaluationOrganisation,
    EventDate,
    Link,
)
from registry.models.findings import Finding  # noqa: F401
from registry.models.representations import RepresentationStamp, StoredRepresentation  # noqa: F401
from registry.models.search import SearchChunk, SearchEntry, SearchFrequentStem, SearchWord  # noqa: F401
from registry.models.submissions import Membership, Submission  # noqa: F401
from registry.models.versions import PublishedVersion  # noqa: F401
from registry.models.vocabularies import (  # noqa: F401
    Department,
    DesignType,
    MethodSynonym,
    Organisation,
    Place,
    PolicyArea,
    Programme,
)
