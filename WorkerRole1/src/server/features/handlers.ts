import type { EventHandler } from '../socket/event-handler.js';
import type { ClientEvent } from '../socket/types.js';
import { deleteDirectMessage } from './dm/delete.js';
import { editDirectMessage } from './dm/edit.js';
import { fetchDirectHistory } from './dm/history.js';
import { sendDirectMessage } from './dm/send.js';
import { fetchHistory } from './history/fetch.js';
import { deleteMessage } from './message/delete.js';
import { editMessage } from './message/edit.js';
import { sendMessage } from './message/send.js';
import { joinRoom } from './room/join.js';
import { leaveRoom } from './room/leave.js';
import { listMembers } from './room/members.js';
import { removeFromRoom } from './room/remove.js';
import { startSession } from './session/start.js';
import { reportTyping } from './typing/typing.js';

/** Every event a client may send, and what handles it. */
export const handlers: Record<ClientEvent, EventHandler> = {
  'session:start': startSession,
  'room:join': joinRoom,
  'room:leave': leaveRoom,
  'room:members': listMembers,
  'message:send': sendMessage,
  'dm:send': sendDirectMessage,
  'dm:history': fetchDirectHistory,
  'history:fetch': fetchHistory,
  'message:edit': editMessage,
  'message:delete': deleteMessage,
  'dm:edit': editDirectMessage,
  'dm:delete': deleteDirectMessage,
  'room:remove': removeFromRoom,
  typing: reportTyping,
};
