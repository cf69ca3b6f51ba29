"""The one path from an online channel to a work order.

Every channel (Open311, the citizen web page, WeChat, e-mail, a 12315 or 110 transfer)
turns what it received into a ``Submission``. ``receive`` checks it, keeps it as a
``ChannelMessage`` (a message id seen before returns the first one: the same message never
makes two orders) and registers the order at once, or leaves it to the worker (batch). The
order is drafted like a call: the text gives the request type, category, place and urgency
where the channel did not say.
"""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.deadlines.calendar import local
from hotline.deadlines.policies import deadlines_for
from hotline.errors import HotlineError
from hotline.orders import routing
from hotline.orders import service as orders
from hotline.orders.models import WorkOrder
from hotline.orgs.models import Area, Category, RequestType, Urgency

from . import drafting
from .models import ChannelClient, ChannelMessage

log = logging.getLogger(__name__)

# Photos only: what a citizen sends from a phone.
PHOTO_TYPES = {
    suffix: kind for suffix, kind in orders.ALLOWED_ATTACHMENTS.items() if kind.startswith("image/")
}
NEAREST_AREA_KM = 15  # a point farther from every known street centre gets no area


@dataclass
class Submission:
    """What a channel knows about a new request. Empty fields are drafted from the text."""

    channel: str
    content: str
    title: str = ""
    category_code: str = ""
    request_type: str = ""
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    caller_name: str = ""
    caller_phone: str = ""
    email: str = ""
    source_ref: str = ""  # the channel's own message id
    reference: str = ""  # another platform's case number (12315, 110)
    answers: list[tuple[str, str]] = field(default_factory=list)  # (question, answer)
    extra: dict = field(default_factory=dict)  # device_id, account_id, address_id, attributes
    is_confidential: bool = False  # the citizen asked not to publish it (不公开)

    def intake(self, **drafted) -> orders.Intake:
        values = {
            "title": self.title or self.content.strip()[:40],
            "content": self.full_content(),
            "request_type": self.request_type or RequestType.HELP,
            "channel": self.channel,
            "address": self.address,
            "lat": self.lat,
            "lng": self.lng,
            "caller_name": self.caller_name,
            "caller_phone": self.caller_phone,
            "source_ref": self.source_ref,
        }
        values.update(drafted)
        return orders.Intake(**values)

    def full_content(self) -> str:
        lines = [self.content.strip()]
        lines += [f"{question}：{answer}" for question, answer in self.answers]
        if self.reference:
            label = _("Reference number")
            lines.append(f"{label}：{self.reference}")
        if self.email:
            label = _("E-mail")
            lines.append(f"{label}：{self.email}")
        return "\n".join(line for line in lines if line)


def receive(
    submission: Submission,
    *,
    client: ChannelClient | None = None,
    media=None,
    media_url: str = "",
    batch: bool = False,
    now: datetime | None = None,
) -> tuple[ChannelMessage, bool]:
    """Keep ``submission`` and register its order: at once, or by the worker when
    ``batch``. Returns the message and whether it is new; a message id seen before returns
    the first message and registers nothing. Refuses (``HotlineError``) what would not
    make an order, before anything is written."""
    now = now or timezone.now()
    check(submission, media)
    if submission.source_ref:
        earlier = same_message(submission)
        if earlier is not None:
            return earlier, False
    message = ChannelMessage(
        channel=submission.channel,
        source_ref=submission.source_ref,
        client=client,
        token=secrets.token_hex(10),
        data=asdict(submission),
        media_url=media_url,
        received_at=now,
    )
    try:
        with transaction.atomic():
            if media is not None:
                message.media.save(media.name, media, save=False)
            message.save()
            if batch:
                transaction.on_commit(lambda: enqueue(message.pk))
            else:
                process(message, now=now)
    except IntegrityError:
        # The same message arrived twice at the same moment: the first one wins.
        earlier = same_message(submission) if submission.source_ref else None
        if earlier is None:
            raise
        return earlier, False
    return message, True


def check(submission: Submission, media) -> None:
    """Refuse what would not make an order: the order's own checks, and a photo of an
    accepted type and size."""
    orders.validate_intake(submission.intake())
    if submission.category_code and category_of(submission.category_code) is None:
        raise HotlineError(
            "unknown_service",
            _("Unknown service code “%(code)s”."),
            code=submission.category_code,
            status=404,
        )
    if media is not None:
        orders.check_upload(media, PHOTO_TYPES)


def same_message(submission: Submission) -> ChannelMessage | None:
    return ChannelMessage.objects.filter(
        channel=submission.channel, source_ref=submission.source_ref
    ).first()


def enqueue(message_id: int) -> None:
    from .tasks import register_message

    register_message.enqueue(message_id)


def process(message: ChannelMessage, *, now: datetime | None = None) -> WorkOrder:
    """Register the order of a kept message, drafted from its text, with its photo, and
    note which unit is expected to answer and by when. Runs in one transaction."""
    now = now or timezone.now()
    submission = Submission(**message.data)
    draft = drafting.draft(f"{submission.address}\n{submission.content}")
    category = category_of(submission.category_code) or drafted_category(draft)
    area = Area.objects.filter(code=draft.area_code).first() if draft.area_code else None
    if area is None and submission.lat is not None:
        area = nearest_area(submission.lat, submission.lng)
    request_type = submission.request_type or drafted_type(draft)
    intake = submission.intake(
        title=submission.title or draft.title or submission.content.strip()[:40],
        request_type=request_type,
        category=category,
        area=area,
        urgency=draft.urgency if draft.urgency in Urgency.values else Urgency.NORMAL,
        is_confidential=submission.is_confidential or draft.is_confidential,
    )
    if not intake.address and draft.address:
        intake.address = draft.address[:255]
    with transaction.atomic():
        order = orders.register(intake, None, now=now)
        if message.media:
            with message.media.open("rb") as stored:
                # The stored name starts with a random prefix; the order keeps the sender's.
                original = Path(stored.name).name.split("-", 1)[-1]
                orders.attach(order, File(stored, name=original), None, now=now)
        message.order = order
        message.state = ChannelMessage.State.REGISTERED
        message.processed_at = now
        message.expected_unit, message.expected_at = expected(order, now)
        message.save()
    return order


def notice(message: ChannelMessage) -> str:
    """What the citizen is told when the message is received: the order's number, and
    which unit is expected to answer by when."""
    if message.order is None:
        return str(_("Received; the order number follows from the token."))
    parts = [str(_("Registered as order %(number)s.")) % {"number": message.order.number}]
    if message.expected_unit and message.expected_at:
        due = f"{local(message.expected_at):%Y-%m-%d %H:%M}"
        parts.append(
            str(_("Expected to be answered by %(unit)s before %(at)s."))
            % {"unit": message.expected_unit.name, "at": due}
        )
    return " ".join(parts)


def category_of(code: str) -> Category | None:
    if not code:
        return None
    return Category.objects.filter(code=code, is_active=True).first()


def drafted_category(draft: drafting.Draft) -> Category | None:
    if not draft.categories:
        return None
    return category_of(draft.categories[0].code)


def drafted_type(draft: drafting.Draft) -> str:
    value = (draft.request_type or {}).get("value", "")
    return value if value in RequestType.values else RequestType.HELP


def expected(order: WorkOrder, now: datetime):
    """The unit the responsibility list names for the order, and when its answer is due
    if it were dispatched now: what the citizen is told before a dispatcher decides."""
    found = routing.recommend_for(order.category, order.area, now, limit=1)
    unit = found[0].lead_unit if found else None
    limits = deadlines_for(orders.subject_of(order), now)
    return unit, limits.handle_due_at


def nearest_area(lat: float, lng: float) -> Area | None:
    """The street (or district) whose centre is nearest to the point, if one is near."""
    best, best_km = None, NEAREST_AREA_KM
    rows = Area.objects.filter(
        level__in=[Area.Level.STREET, Area.Level.DISTRICT], lat__isnull=False
    ).only("pk", "lat", "lng", "level")
    for area in rows:
        km = distance_km(lat, lng, area.lat, area.lng)
        if area.level == Area.Level.DISTRICT:
            km *= 1.5  # a street near the point says more than a district's centre
        if km < best_km:
            best, best_km = area, km
    return best


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371 * math.hypot(x, y)


def register_pending(message_id: int) -> WorkOrder | None:
    """The worker's side of a batch message: register it once; a failure is kept on the
    message (and logged) instead of being retried forever."""
    with transaction.atomic():
        message = (
            ChannelMessage.objects.select_for_update()
            .filter(pk=message_id, state=ChannelMessage.State.PENDING)
            .first()
        )
        if message is None:
            return None
        try:
            with transaction.atomic():
                return process(message)
        except HotlineError as error:
            log.warning("channel message %s not registered: %s", message_id, error)
            message.state = ChannelMessage.State.FAILED
            message.error = error.render()
            message.processed_at = timezone.now()
            message.save(update_fields=["state", "error", "processed_at"])
            return None
