"""The serial protocol (frames, messages, the request/reply client); twin of firmware/protocol."""

from .frame import Frame, FrameDecoder, crc16, encode_frame
from .messages import ErrorCode, MsgType, Result

__all__ = ["ErrorCode", "Frame", "FrameDecoder", "MsgType", "Result", "crc16", "encode_frame"]
