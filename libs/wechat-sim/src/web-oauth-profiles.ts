import { createHash } from 'node:crypto';

// Plausible profiles for sns/userinfo, derived from the openid so a follower looks the same every time.
const NICKNAMES = ['小明', '阿珍', '王小二', '李雷', '韩梅梅', '张伟', '陈静', '刘洋', '赵敏', '周杰'];
const PLACES: Array<[province: string, city: string]> = [
  ['广东', '深圳'],
  ['广东', '广州'],
  ['浙江', '杭州'],
  ['上海', '浦东新区'],
  ['北京', '海淀'],
  ['四川', '成都'],
  ['江苏', '南京'],
  ['湖北', '武汉'],
];

export interface SimUserProfile {
  nickname: string;
  sex: number;
  province: string;
  city: string;
  country: string;
  headimgurl: string;
  privilege: string[];
}

export function profileOf(openid: string): SimUserProfile {
  const digest = createHash('sha1').update(openid).digest();
  const [province, city] = PLACES[digest[1] % PLACES.length];
  return {
    nickname: NICKNAMES[digest[0] % NICKNAMES.length],
    sex: 1 + (digest[2] % 2),
    province,
    city,
    country: '中国',
    headimgurl: `https://thirdwx.qlogo.cn/mmopen/vi_32/${digest.toString('hex').slice(0, 32)}/132`,
    privilege: [],
  };
}
