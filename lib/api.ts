import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routes } from '../functions/registry';
import type { Functions } from './functions';
import { acknowledge } from './nag';

/** Stage-wide throttling defaults (per account and region quotas apply on top). */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 };

/** The public HTTP API: one route per registry route, Lambda proxy with payload v2. */
export class Api extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;

  constructor(scope: Construct, id: string, props: { functions: Functions }) {
    super(scope, id);
    const { functions } = props;
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'JobRelay public API (/v1)',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: ['*'],
        allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST, apigwv2.CorsHttpMethod.OPTIONS],
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
        maxAge: Duration.hours(1),
      },
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // No IPs, headers or bodies: request id, route, status, latency.
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigw.AccessLogField.contextRequestId(),
            requestTime: apigw.AccessLogField.contextRequestTime(),
            routeKey: '$context.routeKey',
            status: apigw.AccessLogField.contextStatus(),
            responseLength: apigw.AccessLogField.contextResponseLength(),
            integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const route of routes) {
      let integration = integrations.get(route.lambda);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.lambda}Integration`, functions.invokeTarget(route.lambda), {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
          // One invoke permission per function for this API, not one per route: the routes a function
          // serves are its integration's, and 53 route-scoped permissions cost 15 resources for nothing
          // (CloudFormation's 500-resource limit, issue 13).
          scopePermissionToRoute: false,
        });
        integrations.set(route.lambda, integration);
      }
      for (const httpRoute of this.httpApi.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
      })) {
        // A route with its own throttle (registry `throttle`): the stage's route settings name it
        // by its key, so the stage must come after the route.
        if (route.throttle) {
          const stage = this.stage.node.defaultChild as apigwv2.CfnStage;
          stage.routeSettings = {
            ...(stage.routeSettings as Record<string, unknown> | undefined),
            // A Json property: CloudFormation's own casing.
            [`${route.method} ${route.path}`]: { ThrottlingRateLimit: route.throttle.rateLimit, ThrottlingBurstLimit: route.throttle.burstLimit },
          };
          stage.addDependency(httpRoute.node.defaultChild as apigwv2.CfnRoute);
        }
        const reason =
          'Authorised in the handler: tenant API keys (Authorization: Bearer jr_...) are resolved from SHA-256 hashes in DynamoDB by a middy middleware (ENGINEERING.md "Flow"); The OpenAPI and tool documents are public on purpose (read before a key exists), and so are the operator console\'s static files (GET /, /console/{file}: no data, the page signs in with an API key).';
        acknowledge(httpRoute, 'APIG4', reason);
      }
    }

    new CfnOutput(scope, 'ApiUrl', { value: this.stage.url, description: 'JobRelay HTTP API base URL' });
  }
}
