"""Webhooks of other channels: a WeChat official account's messages (微信公众号), e-mails
(电子邮件) and transfers from the 12315 or 110 platforms (转办), each turned into a
``Submission`` for the one intake path of ``channels``.

A message counts once by the id its source gave it (WeChat's MsgId, the e-mail's Message-ID,
the other platform's case number): the same message again answers with the first order.
"""

from __future__ import annotations

import email
import email.errors
import email.policy
import email.utils
import hashlib
import logging
from email.header import decode_header
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import EmailValidator, URLValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from hotline.errors import HotlineError
from hotline.orders import service as orders
from hotline.orders.models import Channel

from . import channels
from .models import ChannelClient, ChannelMessage

log = logging.getLogger(__name__)

MAX_JSON_BYTES = 1024 * 1024  # below Django's DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB)
MAX_EMAIL_BYTES = 10 * 1024 * 1024
LIMITS = orders.FIELD_LIMITS
# The e-mail's body leaves room for the sender's address that the order's content adds.
MAX_MAIL_CONTENT = LIMITS["content"] - 400

WECHAT_TYPES = ("text", "image", "location")
TRANSFER_SOURCES = (
    "12315",  # 全国12315平台 (market regulation complaints)
    "110",  # 110 报警服务台 (police non-emergency hand-overs, 非警务警情)
)

# Chinese mailers label GBK text as GB2312; GB18030 reads both and more.
CHARSET_ALIASES = {
    name: "gb18030" for name in ("gb2312", "gb_2312-80", "euc-cn", "gbk", "x-gbk", "cp936")
}
# What the standard library's e-mail parser raises on malformed input, besides defects.
UNREADABLE = (
    email.errors.MessageError,
    LookupError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    RecursionError,
)
SUFFIX_OF_PHOTO_TYPE = {kind: suffix for suffix, kind in channels.PHOTO_TYPES.items()}


def deliver(
    submission: channels.Submission,
    *,
    client: ChannelClient,
    media=None,
    media_url: str = "",
) -> tuple[ChannelMessage, bool]:
    """Receive ``submission`` through the one intake path and register its order at once.
    Returns the message and whether it is new (a message id seen before returns the first
    one). What the platform writes into the order is in the centre's language, whatever
    language the sending system asked for; refusals are rendered in the caller's."""
    with translation.override(settings.LANGUAGE_CODE):
        return channels.receive(submission, client=client, media=media, media_url=media_url)


def answer(message: ChannelMessage, is_new: bool) -> dict:
    """What every webhook answers: the order, its status, whether it is new, the token."""
    order = message.order
    return {
        "order_number": order.number if order else None,
        "status": order.status if order else message.state,
        "is_new": is_new,
        "token": message.token,
    }


def in_house(text) -> str:
    """``text`` in the centre's language: what is written into an order."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def required(field: str) -> HotlineError:
    return HotlineError("missing_field", _("%(field)s is required."), field=field)


# --- WeChat -----------------------------------------------------------------------------------


def wechat_submission(message: Any) -> tuple[channels.Submission, str]:
    """The submission of a WeChat message (text, image or location, with the fields the
    official account platform sends) and the address of its picture. Refuses other types
    (events, voice, video) and a message without its MsgId."""
    kind = message.msg_type.strip().lower()
    if kind not in WECHAT_TYPES:
        raise HotlineError(
            "unsupported_message",
            _("WeChat messages of type “%(type)s” are not accepted; send text, image or location."),
            type=message.msg_type,
        )
    msg_id = (message.msg_id or "").strip()
    if not msg_id:
        raise required("MsgId")
    text = message.content.strip()
    address, lat, lng, media_url = "", None, None, ""
    if kind == "image":
        media_url = checked_url(message.pic_url.strip(), "PicUrl")
        text = text or in_house(_("(WeChat image message)"))
    elif kind == "location":
        if message.location_x is None or message.location_y is None:
            raise required("Location_X, Location_Y")
        lat, lng = message.location_x, message.location_y
        address = message.label.strip()
        text = text or address or in_house(_("(WeChat location message)"))
    extra = {
        "openid": message.from_user.strip(),
        "account": message.to_user.strip(),
        "create_time": message.create_time,
        "media_id": message.media_id.strip(),
    }
    submission = channels.Submission(
        channel=Channel.WECHAT,
        content=text,
        address=address,
        lat=lat,
        lng=lng,
        caller_name=message.name.strip(),
        caller_phone=message.phone.strip(),
        source_ref=msg_id,
        extra={key: value for key, value in extra.items() if value},
    )
    return submission, media_url


def checked_url(url: str, field: str) -> str:
    if not url:
        raise required(field)
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise HotlineError(
            "invalid_url", _("%(field)s is not a valid http(s) address."), field=field
        ) from None
    return url


# --- e-mail -----------------------------------------------------------------------------------


def email_submission(raw: bytes) -> tuple[channels.Submission, SimpleUploadedFile | None]:
    """The submission of a raw e-mail (RFC 5322, as an importer fetched it) and its first
    photo. Reads Chinese encodings (GB2312, GBK, GB18030, UTF-8) in headers and bodies, the
    plain text or else the text of the HTML. Refuses an empty or unreadable message and one
    without a Message-ID."""
    if not raw.strip():
        raise HotlineError("empty_message", _("The message is empty."))
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        message_id = header_text(message, "Message-ID")
        sender = header_text(message, "From")
        subject = header_text(message, "Subject")
        body = body_text(message)
        photo = first_photo(message)
    except UNREADABLE as error:
        log.info("e-mail not readable: %r", error)
        raise HotlineError("unreadable_message", _("The request body could not be read.")) from None
    if not message.keys():
        raise HotlineError("unreadable_message", _("The request body could not be read."))
    return mail_submission(message_id=message_id, sender=sender, subject=subject, body=body), photo


def mail_submission(*, message_id: str, sender: str, subject: str, body: str):
    """The submission of an e-mail already taken apart: the sender's name and address, the
    subject as title, the body (or else the subject) as content, cut to what an order holds.
    Refuses a message without a Message-ID."""
    ref = message_ref(message_id)
    if not ref:
        raise required("Message-ID")
    name, address = email.utils.parseaddr(sender)
    subject = " ".join(subject.split())
    content = body.strip() or subject
    return channels.Submission(
        channel=Channel.EMAIL,
        content=shortened(content, MAX_MAIL_CONTENT),
        title=shortened(subject, LIMITS["title"]),
        caller_name=shortened(name.strip(), LIMITS["caller_name"]),
        email=valid_address(address),
        source_ref=ref,
    )


def message_ref(message_id: str) -> str:
    """The Message-ID without its brackets; a very long one by its hash (still the same
    for the same message)."""
    ref = "".join(message_id.split()).strip("<>")
    if len(ref) > LIMITS["source_ref"]:
        ref = "sha256:" + hashlib.sha256(ref.encode("utf-8", "surrogatepass")).hexdigest()
    return ref


def valid_address(address: str) -> str:
    try:
        EmailValidator()(address)
    except ValidationError:
        return ""
    return address


def shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header_text(message: EmailMessage, name: str) -> str:
    """A header's text, decoded from its raw form: encoded words in any charset (GB2312
    that is really GBK included) and raw 8-bit headers that some Chinese mailers send."""
    raw = next((value for key, value in message.raw_items() if key.lower() == name.lower()), "")
    if not isinstance(raw, str):
        raw = str(raw)
    if not raw.isascii():
        # 8-bit bytes in a header arrive as surrogates: read them as UTF-8 or GB18030.
        text = decoded(raw.encode("ascii", "surrogateescape"), None)
    else:
        try:
            text = "".join(
                part if isinstance(part, str) else decoded(part, charset)
                for part, charset in decode_header(raw)
            )
        except (email.errors.HeaderParseError, ValueError):
            text = raw  # a broken encoded word (bad base64) is shown as it came
    return " ".join(text.replace("\x00", "").split())


def decoded(data: bytes, charset: str | None) -> str:
    """``data`` as text: in its declared charset when that reads, else UTF-8, else GB18030."""
    names = [CHARSET_ALIASES.get(charset.lower(), charset)] if charset else []
    for name in [*names, "utf-8", "gb18030"]:
        try:
            text = data.decode(name)
            break
        except (LookupError, UnicodeDecodeError):
            continue
    else:
        text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\x00", "")


def body_text(message: EmailMessage) -> str:
    """The plain-text body, or else the text of the HTML body; empty without either."""
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        return part_text(part)
    part = message.get_body(preferencelist=("html",))
    if part is not None:
        return html_text(part_text(part))
    return ""


def part_text(part: EmailMessage) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    return decoded(data, part.get_content_charset())


class HtmlText(HTMLParser):
    """Collects the text of an HTML document, a line break for each block."""

    BLOCKS = {"br", "p", "div", "li", "tr", "table", "blockquote", "h1", "h2", "h3", "h4", "h5"}
    HIDDEN = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = HtmlText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def first_photo(message: EmailMessage) -> SimpleUploadedFile | None:
    """The first image of the message that an order accepts as a photo (its type and
    first bytes checked): one that is not is skipped, the request itself still counts."""
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "image":
            continue
        data = part.get_payload(decode=True)
        name = photo_name(part.get_filename() or "", part.get_content_type())
        if not isinstance(data, bytes) or not data or name is None:
            continue
        upload = SimpleUploadedFile(name, data, content_type=part.get_content_type())
        try:
            orders.check_upload(upload, channels.PHOTO_TYPES)
        except HotlineError as error:
            log.info("e-mail image %s skipped: %s", name, error.code)
            continue
        return upload
    return None


def photo_name(filename: str, content_type: str) -> str | None:
    """A short file name with a photo's suffix: the attachment's own, or the one of its
    content type; None for an image type that orders do not take (TIFF, BMP)."""
    path = Path(filename.replace("\\", "/")).name
    suffix = Path(path).suffix.lower()
    stem = Path(path).stem if suffix else path
    if suffix not in channels.PHOTO_TYPES:
        suffix = SUFFIX_OF_PHOTO_TYPE.get(content_type)
        if suffix is None:
            return None
    return f"{stem[:50] or 'photo'}{suffix}"


# --- transfers ---------------------------------------------------------------------------------


def transfer_submission(transfer: Any) -> channels.Submission:
    """The submission of a case another platform (12315, 110) hands over: its case number
    is the reference kept on the order and, with the source, what makes it count once.
    Refuses an unknown source."""
    source = transfer.source.strip()
    if source not in TRANSFER_SOURCES:
        raise HotlineError(
            "unknown_source",
            _("Unknown transfer source “%(source)s”; known sources: %(known)s."),
            source=source,
            known=", ".join(TRANSFER_SOURCES),
        )
    reference = transfer.reference.strip()
    if not reference:
        raise required("reference")
    return channels.Submission(
        channel=Channel.TRANSFER,
        content=transfer.content,
        title=transfer.title.strip(),
        category_code=transfer.category_code.strip(),
        address=transfer.address.strip(),
        lat=transfer.lat,
        lng=transfer.lng,
        caller_name=transfer.caller_name.strip(),
        caller_phone=transfer.caller_phone.strip(),
        source_ref=f"{source}:{reference}",
        reference=reference,
        extra={"source": source},
    )
