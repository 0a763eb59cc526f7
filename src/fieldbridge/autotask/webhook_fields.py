"""Field ids for TicketWebhookFields (`fieldID`).

Autotask identifies subscribed webhook fields by number, and entityInformation/fields does not return those
numbers. Autotask's id table could not be confirmed from its pages, so FieldBridge numbers ticket fields in
the order of the official swagger's TicketModel (1 = id). The emulator and the client share this table, so a
real tenant's numbers need changing in this one place only.
"""

from __future__ import annotations

TICKET_FIELDS: tuple[str, ...] = (
    "id",
    "apiVendorID",
    "assignedResourceID",
    "assignedResourceRoleID",
    "billingCodeID",
    "changeApprovalBoard",
    "changeApprovalStatus",
    "changeApprovalType",
    "changeInfoField1",
    "changeInfoField2",
    "changeInfoField3",
    "changeInfoField4",
    "changeInfoField5",
    "companyID",
    "companyLocationID",
    "completedByResourceID",
    "completedDate",
    "configurationItemID",
    "contactID",
    "contractID",
    "contractServiceBundleID",
    "contractServiceID",
    "createDate",
    "creatorResourceID",
    "creatorType",
    "currentServiceThermometerRating",
    "description",
    "dueDateTime",
    "estimatedHours",
    "externalID",
    "firstResponseAssignedResourceID",
    "firstResponseDateTime",
    "firstResponseDueDateTime",
    "firstResponseInitiatingResourceID",
    "hoursToBeScheduled",
    "impersonatorCreatorResourceID",
    "issueType",
    "lastActivityDate",
    "lastActivityPersonType",
    "lastActivityResourceID",
    "lastCustomerNotificationDateTime",
    "lastCustomerVisibleActivityDateTime",
    "lastTrackedModificationDateTime",
    "monitorID",
    "monitorTypeID",
    "opportunityID",
    "organizationalLevelAssociationID",
    "previousServiceThermometerRating",
    "priority",
    "problemTicketId",
    "projectID",
    "purchaseOrderNumber",
    "queueID",
    "resolution",
    "resolutionPlanDateTime",
    "resolutionPlanDueDateTime",
    "resolvedDateTime",
    "resolvedDueDateTime",
    "rmaStatus",
    "rmaType",
    "rMMAlertID",
    "serviceLevelAgreementHasBeenMet",
    "serviceLevelAgreementID",
    "serviceLevelAgreementPausedNextEventHours",
    "serviceThermometerTemperature",
    "source",
    "status",
    "subIssueType",
    "ticketCategory",
    "ticketNumber",
    "ticketType",
    "title",
)

FIELD_IDS: dict[str, int] = {name.lower(): i for i, name in enumerate(TICKET_FIELDS, start=1)}
FIELD_NAMES: dict[int, str] = {i: name for i, name in enumerate(TICKET_FIELDS, start=1)}


def ticket_field_id(name: str) -> int:
    """The webhook field id of a ticket field (case-insensitive); KeyError names the field."""
    try:
        return FIELD_IDS[name.lower()]
    except KeyError:
        raise KeyError(f"no webhook field id for ticket field {name!r}") from None
