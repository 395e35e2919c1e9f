// What travels on the RoomBus: the sending instance's id plus one y-websocket frame. The id lets an instance drop its
// own echoes (Redis delivers to the publisher's subscription too).
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export interface BusEnvelope {
  sender: string;
  frame: Uint8Array;
}

export function encodeBusEnvelope(sender: string, frame: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, sender);
  encoding.writeVarUint8Array(encoder, frame);
  return encoding.toUint8Array(encoder);
}

/** Throws on anything that is not a well-formed envelope. */
export function decodeBusEnvelope(bytes: Uint8Array): BusEnvelope {
  const decoder = decoding.createDecoder(new Uint8Array(bytes));
  const sender = decoding.readVarString(decoder);
  const length = decoding.readVarUint(decoder);
  if (length !== decoder.arr.length - decoder.pos) throw new Error('malformed bus envelope');
  return { sender, frame: decoding.readUint8Array(decoder, length) };
}
