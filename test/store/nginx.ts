// The loopback nginx the store tests run against lives in tools/ (the benchmark uses it too).
export { nginxMissing, freePort, startNginx, type Nginx, type NginxOptions } from '../../tools/loopback-nginx.mjs';
