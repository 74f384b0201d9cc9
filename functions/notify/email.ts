/** The HTML part of an email: the message's text, escaped, links made links, under the company's name. */
import type { MessageLanguage } from './variables';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function emailHtml(text: string, companyName: string, language: MessageLanguage): string {
  const body = escapeHtml(text).replace(/https?:\/\/[^\s<]+[^\s<.,;:!?)]/g, (url) => `<a href="${url}">${url}</a>`);
  return `<!doctype html><html lang="${language}"><body style="font-family:sans-serif;font-size:16px;line-height:1.5;color:#222"><p>${body}</p><p style="color:#666;font-size:13px">${escapeHtml(companyName)}</p></body></html>`;
}
