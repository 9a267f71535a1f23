"""Messages the pages' scripts show, translated on the server and handed to them as JSON
(`json_script`: data, not code, so the CSP needs nothing for it). `{name}` placeholders are
filled in by the scripts."""
from django.conf import settings
from django.utils.translation import get_language, gettext as _

from .labels import EVENTS, STATUSES


def _api_errors() -> dict[str, str]:
    """Our wording of the API's error codes, for pages not in Vietnamese (the API's own
    messages are Vietnamese and are shown as they are on Vietnamese pages)."""
    if (get_language() or settings.LANGUAGE_CODE).startswith("vi"):
        return {}
    return {
        "outside_province": _("Vị trí nằm ngoài địa bàn tỉnh Thanh Hóa; hãy chọn lại điểm "
                              "trên bản đồ."),
        "unknown_category": _("Loại sự việc này không còn được tiếp nhận; hãy chọn loại khác."),
        "invalid_photo": _("Tệp không phải ảnh JPEG, PNG hoặc WebP hợp lệ, hoặc ảnh quá lớn."),
        "cannot_rate": _("Chỉ đánh giá được một lần, sau khi phản ánh đã được xử lý xong."),
        "incident_not_found": _("Không tìm thấy phản ánh này."),
    }


def _common() -> dict:
    return {
        "statuses": {code: str(label) for code, label in STATUSES.items()},
        "api_errors": _api_errors(),
        "error_network": _("Không kết nối được máy chủ. Hãy kiểm tra mạng và thử lại."),
        "error_throttled": _("Bạn gửi quá nhiều yêu cầu trong thời gian ngắn. Hãy thử lại sau "
                             "ít phút."),
        "error_server": _("Máy chủ đang gặp lỗi. Hãy thử lại sau."),
        "map_failed": _("Không hiển thị được bản đồ trên thiết bị này."),
        # MapLibre's own texts (its `locale` option).
        "map_locale": {
            "CooperativeGesturesHandler.WindowsHelpText": _("Nhấn Ctrl và cuộn để phóng to, "
                                                            "thu nhỏ bản đồ"),
            "CooperativeGesturesHandler.MacHelpText": _("Nhấn ⌘ và cuộn để phóng to, thu nhỏ "
                                                        "bản đồ"),
            "CooperativeGesturesHandler.MobileHelpText": _("Dùng hai ngón tay để di chuyển bản "
                                                           "đồ"),
            "NavigationControl.ZoomIn": _("Phóng to"),
            "NavigationControl.ZoomOut": _("Thu nhỏ"),
            "AttributionControl.ToggleAttribution": _("Nguồn dữ liệu bản đồ"),
            "Map.Title": _("Bản đồ"),
            "Marker.Title": _("Ghim vị trí"),
        },
    }


def report_strings() -> dict:
    """Messages of the report form (report.js)."""
    return {
        **_common(),
        "required_category": _("Hãy chọn loại sự việc."),
        "required_location": _("Hãy chạm vào bản đồ để đặt ghim vị trí, hoặc dùng vị trí của "
                                "bạn."),
        "required_description": _("Hãy mô tả sự việc."),
        "invalid_coordinates": _("Tọa độ không hợp lệ: vĩ độ từ -90 đến 90, kinh độ từ -180 "
                                 "đến 180."),
        "invalid_phone": _("Số điện thoại gồm 8 đến 20 chữ số (có thể có dấu +, dấu cách, dấu "
                           "chấm, gạch ngang)."),
        "invalid_email": _("Địa chỉ thư điện tử không hợp lệ."),
        "too_many_photos": _("Chỉ gửi được tối đa {max} ảnh."),
        "photo_too_big": _("Ảnh “{name}” quá lớn (tối đa {mb} MB)."),
        "photo_bad_type": _("Tệp “{name}” không phải ảnh JPEG, PNG hoặc WebP."),
        "photo_remove": _("Bỏ ảnh “{name}”"),
        "photo_count": _("{n}/{max} ảnh"),
        "fix_errors": _("Chưa gửi được: hãy sửa các mục được đánh dấu."),
        "map_failed_report": _("Không hiển thị được bản đồ trên thiết bị này. Bạn vẫn có thể "
                               "dùng vị trí của bạn hoặc nhập tọa độ."),
        "location_set": _("Đã chọn vị trí: {place}"),
        "location_outside": _("Điểm này nằm ngoài địa bàn tỉnh Thanh Hóa."),
        "geo_locating": _("Đang xác định vị trí của bạn…"),
        "geo_denied": _("Trang chưa được phép dùng vị trí của bạn. Hãy chạm vào bản đồ để chọn "
                        "vị trí."),
        "geo_unavailable": _("Không xác định được vị trí của bạn. Hãy chạm vào bản đồ để chọn "
                             "vị trí."),
        "geo_timeout": _("Xác định vị trí quá lâu. Hãy thử lại hoặc chạm vào bản đồ để chọn vị "
                         "trí."),
        "geo_unsupported": _("Thiết bị này không cho biết vị trí. Hãy chạm vào bản đồ để chọn vị "
                             "trí."),
        "checking_duplicates": _("Đang kiểm tra các phản ánh tương tự gần đây…"),
        "duplicate_distance": _("cách khoảng {m} m"),
        "duplicate_follow": _("Theo dõi phản ánh này"),
        "sending": _("Đang gửi phản ánh…"),
        "uploading_photo": _("Đang gửi ảnh {n}/{total}…"),
        "photos_sent": _("Đã gửi {n} ảnh kèm theo."),
        "photo_failed": _("Không gửi được ảnh “{name}”: {message}"),
        "send_failed": _("Chưa gửi được phản ánh: {message}"),
        "done_agency": _("Cơ quan phụ trách: {agency}. Hạn xử lý: {due}."),
    }


def track_strings() -> dict:
    """Messages of the tracking page (track.js)."""
    return {
        **_common(),
        "events": {code: str(label) for code, label in EVENTS.items()},
        "event_other": _("Cập nhật"),
        "status_to": _("Chuyển sang: {status}"),
        "loading_failed": _("Chưa tải được quá trình xử lý: {message}"),
        "no_history": _("Chưa có cập nhật nào."),
        "no_replies": _("Chưa có trả lời."),
        "reply_by": _("{unit} trả lời"),
        "choose_rating": _("Hãy chọn số sao."),
        "rating_sending": _("Đang gửi đánh giá…"),
        "rating_thanks": _("Cảm ơn bạn đã đánh giá: {n}/5."),
        "rating_failed": _("Chưa gửi được đánh giá: {message}"),
    }
