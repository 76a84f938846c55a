import { Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { StreamlakeConfig } from '../config';
import { Network } from '../constructs/network';

export interface NetworkStackProps extends StackProps {
  readonly config: StreamlakeConfig;
}

/** VPC, endpoints and security groups (or the existing cluster's VPC). */
export class NetworkStack extends Stack {
  public readonly network: Network;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const k = props.config.kafka;
    this.network = new Network(this, 'Network', {
      existing:
        k.mode === 'existing'
          ? { vpcId: k.vpcId, vpcCidr: k.vpcCidr, subnetIds: k.subnetIds, availabilityZones: k.availabilityZones, clusterSecurityGroupId: k.securityGroupId }
          : undefined,
    });
  }
}
