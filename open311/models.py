"""What an Open311 request adds to its incident: which api_key sent it, and the reporter's
device and account ids. Those ids are personal data like the incident's reporter contact:
stored here, never in any answer (open311/serializers.py lists what answers may carry)."""
from django.db import models

from access.models import ApiToken
from incidents.models import Incident


class Submission(models.Model):
    """The Open311 side of one incident created through POST requests."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE,
                                    related_name="open311_submission", verbose_name="sự cố")
    api_token = models.ForeignKey(ApiToken, on_delete=models.SET_NULL, null=True,
                                  related_name="+", verbose_name="khóa API gửi")
    device_id = models.CharField("mã thiết bị", max_length=100, blank=True)
    account_id = models.CharField("mã tài khoản", max_length=100, blank=True)
    created_at = models.DateTimeField("nhận lúc", auto_now_add=True)

    class Meta:
        verbose_name = "yêu cầu Open311"
        verbose_name_plural = "yêu cầu Open311"

    def __str__(self) -> str:
        return f"Open311 · {self.incident_id}"
