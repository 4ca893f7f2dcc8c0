// Official Account customer-service messages (permission sets 1 or 54).

export interface CustomTextMessage {
  touser: string;
  msgtype: 'text';
  text: { content: string };
}

/** The message kinds the gateway sends; WeChat knows more (image, news…), added when needed. */
export type CustomMessage = CustomTextMessage;
