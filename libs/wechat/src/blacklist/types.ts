// Official Account blacklist APIs (user management, permission sets 2 or 100).

export interface GetBlacklistRequest {
  /** Empty string: from the start. */
  begin_openid: string;
}
export interface GetBlacklistResponse {
  total: number;
  count: number;
  /** Absent when the page is empty. */
  data?: { openid: string[] };
  /** Empty on the last page. */
  next_openid: string;
}

export interface BatchBlacklistRequest {
  openid_list: string[];
}
